"""What units owe and by when: deadlines set by admins, submitting a deliverable (报送), and
the checkpoints (考核时间节点) at which units behind plan are interviewed."""
