import * as Type from 'typebox';

/** A stored visit as the API answers it (also the brief's `/items/`); extra CSV columns come along. */
export const RecordItem = Type.Object(
  {
    medical_record_number: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    date_time: Type.String(),
    date_time_utc: Type.String(),
    doctors_notes: Type.String(),
    source_file: Type.String(),
    ingested_at: Type.String(),
  },
  { additionalProperties: true },
);
