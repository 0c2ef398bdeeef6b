from shared.migrate import run_env
from subsidy_svc.models import Base

run_env(Base.metadata, version_table="alembic_version_subsidy")
