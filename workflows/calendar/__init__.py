"""Days and dates: China's working days, the holiday notice and the law's holidays, and
reading the dates documents and people write."""
