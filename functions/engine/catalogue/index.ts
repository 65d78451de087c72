/** The item catalogue: parsing (parse.ts, entry.ts, columns.ts), its bounds and report (types.ts), coverage. */
export { catalogueFormatOf, parseCatalogue, type Catalogue, type ParseCatalogueOptions } from './parse.js';
export { MULTI_VALUE_SEPARATOR } from './entry.js';
export { catalogueCoverage } from './coverage.js';
export {
  CATALOGUE_FIELDS,
  COLUMN_FIELDS,
  MAX_ATTRIBUTE_CHARS,
  MAX_ATTRIBUTE_NAME_CHARS,
  MAX_ATTRIBUTES,
  MAX_ENTRY_JSON_BYTES,
  MAX_LANGUAGE_CHARS,
  MAX_TITLE_CHARS,
  MAX_VALUE_BYTES,
  MAX_VALUES,
  STORED_TEXT_CHARS,
  type AttributeValue,
  type CatalogueEntry,
  type CatalogueField,
  type CatalogueFormat,
  type CatalogueOptions,
  type CatalogueRejection,
  type CatalogueReport,
  type ColumnField,
  type IdSample,
} from './types.js';
