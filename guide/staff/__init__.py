"""Park staff: accounts, bloom reports from their phones, retractions.
The blueprint is `guide.staff.views.bp`; the CLI is `guide.staff.cli.staff_cli`."""
