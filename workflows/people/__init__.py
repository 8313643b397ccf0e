"""People and their places: roles and what each may do, registering in the roster, binding
a group to its unit, and leave (请假与代岗)."""
