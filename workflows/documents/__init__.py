"""What goes out to everyone: the summary and the weekly digest, the circular (通报), the
monthly and quarterly cadence, and notices confirmed as read (已阅)."""
