import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';

export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export interface FormLimits {
  fileBytes: number;
  files?: number;
  fields?: number;
  fieldBytes?: number;
}

/**
 * Reads a whole multipart form, files into memory: meant for small files (avatars), bounded by
 * `fileBytes` per file and by counts. Going over a limit throws a 413 error, which the error model
 * turns into a problem.
 */
export async function readMultipartForm(request: FastifyRequest, limits: FormLimits): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: [] };
  const parts = request.parts({
    limits: {
      fileSize: limits.fileBytes,
      files: limits.files ?? 1,
      fields: limits.fields ?? 10,
      fieldSize: limits.fieldBytes ?? 1024,
      parts: (limits.files ?? 1) + (limits.fields ?? 10),
    },
  });
  for await (const part of parts) {
    if (part.type === 'file') {
      form.files.push({ field: part.fieldname, filename: part.filename, bytes: await part.toBuffer() });
    } else {
      form.fields[part.fieldname] = String(part.value);
    }
  }
  return form;
}
