import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

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
 * `fileBytes` per file, `fieldBytes` per text field and by counts. Going over a limit throws a 413
 * error, which the error model turns into a problem; a field that is not text is a 400.
 */
export async function readMultipartForm(request: FastifyRequest, limits: FormLimits): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: [] };
  const fieldSize = limits.fieldBytes ?? 1024;
  const parts = request.parts({
    limits: {
      fileSize: limits.fileBytes,
      files: limits.files ?? 1,
      fields: limits.fields ?? 10,
      fieldSize,
      parts: (limits.files ?? 1) + (limits.fields ?? 10),
    },
  });
  for await (const part of parts) {
    if (part.type === 'file') {
      form.files.push({ field: part.fieldname, filename: part.filename, bytes: await part.toBuffer() });
      continue;
    }
    // The parser reads a part typed application/json as JSON: an object is not text, and would
    // otherwise be stored as "[object Object]".
    if (typeof part.value !== 'string') {
      throw new HttpProblem(
        400,
        'A form field was sent as JSON that is not a string: send text fields as plain text.',
      );
    }
    // The parser cuts a long field to the limit and says so; a value cut short is not what was sent.
    if (part.valueTruncated) throw new HttpProblem(413, `A form field is longer than ${fieldSize} bytes.`);
    form.fields[part.fieldname] = part.value;
  }
  return form;
}
