"""Forms of the log-in pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(message=_l("This field is required.")), Length(max=64)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("This field is required."))])


class LogoutForm(FlaskForm):
    pass


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("This field is required."))]
    )
    new = PasswordField(
        _l("New password"), validators=[DataRequired(message=_l("This field is required.")), Length(max=200)]
    )
    repeat = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(message=_l("This field is required.")),
            EqualTo("new", message=_l("The two new passwords are not the same.")),
        ],
    )
