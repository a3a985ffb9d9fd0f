"""Forms of the managers' pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class OutboxUploadForm(FlaskForm):
    file = FileField(_l("Export file from an officer's phone"), validators=[FileRequired(_l("Choose the file."))])
