from shared.migrate import run_env
from training_svc.models import Base

run_env(Base.metadata, version_table="alembic_version_training")
