// Shrinking a camera photo on the phone before it is kept and uploaded: longest side at most 1600 px,
// JPEG, at most about 300 KB.
export const MAX_SIDE = 1600;
export const MAX_BYTES = 300 * 1024;

function toBlob(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
}

export async function shrink(file) {
  const bitmap = await createImageBitmap(file);
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.85, 0.7, 0.55, 0.4]) {
      const blob = await toBlob(canvas, quality);
      if (blob.size <= MAX_BYTES) return blob;
    }
    scale *= 0.75;
  }
  throw new Error('photo too large');
}
