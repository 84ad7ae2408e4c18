// Placeholder replaced by the session-timeout warning.
