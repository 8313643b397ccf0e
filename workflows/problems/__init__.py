"""The problem ledger (问题台账): its fields and rules, the workbooks it is read from, and
close-out (销号) with its evidence."""
