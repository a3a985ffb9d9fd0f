"""Flask extensions, created unbound here and bound to the app in the factory."""

from typing import TYPE_CHECKING, TypeAlias

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()

# What a domain function takes as its `session`: the request's `db.session` (a scoped proxy that hands every
# call to the current Session) or a plain Session, as tests and scripts pass.
DbSession: TypeAlias = Session | scoped_session[FlaskSession]

# The models' base class. At run time it is `db.Model`, a class Flask-SQLAlchemy builds from Base with its
# mixins, which mypy cannot follow; to mypy it is Base, whose mapping and metadata it shares.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
