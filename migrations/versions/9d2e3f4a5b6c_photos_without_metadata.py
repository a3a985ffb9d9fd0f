"""photos without metadata: photos stored before the server re-encoded them lose their EXIF and GPS too

Revision ID: 9d2e3f4a5b6c
Revises: 8c1d2e3f4a5b
Create Date: 2026-12-01 18:20:00.000000

"""

import io
import warnings

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d2e3f4a5b6c"
down_revision = "8c1d2e3f4a5b"
branch_labels = None
depends_on = None


def upgrade():
    # What outreach.photos does to every new upload, written out here so that this step never changes.
    from PIL import Image, ImageOps

    conn = op.get_bind()
    photos = sa.table(
        "photos", sa.column("id", sa.String), sa.column("data", sa.LargeBinary), sa.column("size", sa.Integer)
    )
    for photo_id in conn.execute(sa.select(photos.c.id)).scalars().all():
        data = conn.execute(sa.select(photos.c.data).where(photos.c.id == photo_id)).scalar_one()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(data)) as image:
                    upright = ImageOps.exif_transpose(image)
                    if upright.mode not in ("L", "RGB"):
                        upright = upright.convert("RGB")
                    upright.info = {}
                    out = io.BytesIO()
                    upright.save(out, "JPEG", quality=85, optimize=True)
        except Exception:  # noqa: BLE001 - a file Pillow cannot read stays as it is: nothing is deleted
            continue
        clean = out.getvalue()
        conn.execute(photos.update().where(photos.c.id == photo_id).values(data=clean, size=len(clean)))


def downgrade():
    pass  # the metadata is gone for good, as it should be
