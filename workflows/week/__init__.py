"""The week: the weekly update (每周报送台账) step by step, in the Mini App and by workbook, what
its answers do to the ledger, which week a report is for, and corrections."""
