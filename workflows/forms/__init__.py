"""Forms and flows: the form engine, its input kinds, each flow's name, context and
answers, a flow filled in on a page, buttons' callback data and deep links."""
