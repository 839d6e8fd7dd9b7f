// JSON Schemas (draft 7, checked with ajv) for the atlas JSON formats, written
// from the formats' public descriptions (TexturePacker JSON hash/array, Phaser 3
// multiatlas, Paper2D's importer), not from our writers.
const int = { type: 'integer', minimum: 0 };
const rect = {
  type: 'object',
  required: ['x', 'y', 'w', 'h'],
  properties: { x: int, y: int, w: { type: 'integer', minimum: 1 }, h: { type: 'integer', minimum: 1 } },
};
const size = {
  type: 'object',
  required: ['w', 'h'],
  properties: { w: { type: 'integer', minimum: 1 }, h: { type: 'integer', minimum: 1 } },
};
const pivot = {
  type: 'object',
  required: ['x', 'y'],
  properties: { x: { type: 'number', minimum: 0, maximum: 1 }, y: { type: 'number', minimum: 0, maximum: 1 } },
};
const frame = {
  type: 'object',
  required: ['frame', 'rotated', 'trimmed', 'spriteSourceSize', 'sourceSize'],
  properties: { frame: rect, rotated: { type: 'boolean' }, trimmed: { type: 'boolean' }, spriteSourceSize: rect, sourceSize: size, pivot },
};
const meta = {
  type: 'object',
  required: ['image', 'size', 'format'],
  properties: {
    app: { type: 'string' },
    image: { type: 'string', pattern: '\\.png$' },
    size,
    format: { type: 'string' },
    scale: { type: ['string', 'number'] },
  },
};

export const atlasSchemas = {
  texturePackerHash: {
    type: 'object',
    required: ['frames', 'meta'],
    properties: { frames: { type: 'object', minProperties: 1, additionalProperties: frame }, meta },
  },
  texturePackerArray: {
    type: 'object',
    required: ['frames', 'meta'],
    properties: {
      frames: {
        type: 'array',
        minItems: 1,
        items: { allOf: [frame, { type: 'object', required: ['filename'], properties: { filename: { type: 'string', minLength: 1 } } }] },
      },
      meta,
    },
  },
  phaserMultiatlas: {
    type: 'object',
    required: ['textures'],
    properties: {
      textures: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['image', 'size', 'frames'],
          properties: { image: { type: 'string' }, size, frames: { type: 'array', items: { allOf: [frame, { required: ['filename'] }] } } },
        },
      },
    },
  },
  paper2d: {
    type: 'object',
    required: ['frames', 'meta'],
    properties: {
      frames: { type: 'object', minProperties: 1, additionalProperties: frame },
      meta: {
        allOf: [
          meta,
          {
            type: 'object',
            required: ['app'],
            properties: { app: { type: 'string', pattern: '^http://www\\.codeandweb\\.com/texturepacker' } },
          },
        ],
      },
    },
  },
  custom: {
    type: 'object',
    required: ['format', 'version', 'atlasId', 'pages', 'frames', 'animations', 'options', 'occupancy'],
    properties: {
      format: { const: 'greenlight-atlas' },
      version: { const: 1 },
      pages: { type: 'array', minItems: 1, items: { type: 'object', required: ['image', 'width', 'height'] } },
      frames: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'source', 'page', 'x', 'y', 'w', 'h', 'rotated', 'trimmed', 'sourceSize', 'spriteSourceSize', 'pivot'],
          properties: { page: int, x: int, y: int, pivot, sourceSize: size, spriteSourceSize: rect },
        },
      },
      occupancy: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    },
  },
};
