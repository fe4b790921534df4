"""Extension singletons, created unbound and initialised by the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from rackdinero_app.crypto import Crypto
from rackdinero_app.models.base import Base
from rackdinero_app.queue import RedisQueue

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
crypto = Crypto()
rq = RedisQueue()
babel = Babel()
