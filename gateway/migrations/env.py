from gateway.models import Base
from shared.migrate import run_env

run_env(Base.metadata, version_table="alembic_version_gateway")
