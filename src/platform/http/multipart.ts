import type { Multipart } from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
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
 * The parser's limit errors in words a client can act on. Its own ("reach files limit", "request
 * file too large") name neither the limit nor the route's number for it.
 */
export function formLimitDetail(error: unknown, limits: Required<FormLimits>): string | undefined {
  switch ((error as FastifyError | undefined)?.code) {
    case 'FST_FILES_LIMIT':
      return `The form has more than ${limits.files} file(s).`;
    case 'FST_FIELDS_LIMIT':
      return `The form has more than ${limits.fields} text field(s).`;
    case 'FST_PARTS_LIMIT':
      return `The form has more than ${limits.files + limits.fields} parts.`;
    case 'FST_REQ_FILE_TOO_LARGE':
      return `A file is larger than ${limits.fileBytes} bytes.`;
    default:
      return undefined;
  }
}

/** Room for each part's boundary and headers: the parser reads at most 80 KiB of headers a part. */
const partOverheadBytes = 80 * 1024;

/** The largest body a form within `limits` can be: every part full, with its boundary and headers. */
const mostFormBytes = (limits: Required<FormLimits>) =>
  limits.files * limits.fileBytes +
  limits.fields * limits.fieldBytes +
  (limits.files + limits.fields + 1) * partOverheadBytes;

/**
 * Reads a whole multipart form, files into memory: meant for small files (avatars), bounded by
 * `fileBytes` per file, `fieldBytes` per text field and by counts. Going over a limit throws a 413
 * error, which the error model turns into a problem; a field that is not text is a 400.
 */
export async function readMultipartForm(request: FastifyRequest, limits: FormLimits): Promise<MultipartForm> {
  const all = {
    fileBytes: limits.fileBytes,
    files: limits.files ?? 1,
    fields: limits.fields ?? 10,
    fieldBytes: limits.fieldBytes ?? 1024,
  };
  const most = mostFormBytes(all);
  // Bytes outside any part (before the first boundary, after the last) count against no part's
  // limit, and the parser reads them all; a Content-Length past what the parts could fill is refused.
  if (Number(request.headers['content-length']) > most) {
    throw new HttpProblem(413, `The form is larger than the ${most} bytes its parts can fill.`);
  }
  const parts = request.parts({
    limits: {
      fileSize: all.fileBytes,
      files: all.files,
      fields: all.fields,
      fieldSize: all.fieldBytes,
      parts: all.files + all.fields,
    },
  });
  const form: MultipartForm = { fields: {}, files: [] };
  try {
    for await (const part of parts) await addPart(form, part, all.fieldBytes);
  } catch (error) {
    const detail = formLimitDetail(error, all);
    throw detail === undefined ? error : new HttpProblem(413, detail);
  }
  return form;
}

async function addPart(form: MultipartForm, part: Multipart, fieldBytes: number): Promise<void> {
  if (part.type === 'file') {
    form.files.push({ field: part.fieldname, filename: part.filename, bytes: await part.toBuffer() });
    return;
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
  if (part.valueTruncated) throw new HttpProblem(413, `A form field is longer than ${fieldBytes} bytes.`);
  form.fields[part.fieldname] = part.value;
}
