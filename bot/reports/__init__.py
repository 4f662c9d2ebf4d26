"""Reports for supervisors and trainers: the data from the service, rendered."""
