"""Forms of the log-in pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(message=_l("This field is required.")), Length(max=64)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))])
    remember = BooleanField(_l("Keep me logged in on this device"), default=True)


class LogoutForm(FlaskForm):
    pass
