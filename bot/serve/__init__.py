"""The production runtime: the Application, its jobs, polling or webhook, settings of the run."""
