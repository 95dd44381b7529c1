"""The portal's HTTP door (FastAPI): routes call services, nothing else."""
