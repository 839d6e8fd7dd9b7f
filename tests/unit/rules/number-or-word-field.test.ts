// A job input that is a number or a word (bg_remove's threshold: 0.04 or "auto") is offered to a
// rule builder as a number field that also takes the word, and the form reads either back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bgRemoveInput } from '../../../engine/jobs/inputs.js';
import { fieldsOf } from '../../../engine/rules/vocabulary.js';
import { readField } from '../../../review-web/builder-form.js';

describe('number-or-word job fields', () => {
  const spec = fieldsOf(bgRemoveInput).find((f) => f.name === 'threshold')!;

  it('GIVEN bg_remove\'s threshold THEN it is a number field that also takes "auto", its default', () => {
    assert.equal(spec.kind, 'number');
    assert.deepEqual(spec.options, ['auto']);
    assert.equal(spec.default, 'auto');
  });

  it('GIVEN what is typed THEN a number, the word or a placeholder is read, anything else names both choices', () => {
    assert.deepEqual(readField(spec, '0.04'), { value: 0.04 });
    assert.deepEqual(readField(spec, ' auto '), { value: 'auto' });
    assert.deepEqual(readField(spec, '${event.payload.t}'), { value: '${event.payload.t}' });
    assert.deepEqual(readField(spec, 'lots'), { problem: 'threshold: a number or auto (default auto), or a placeholder' });
    const feather = fieldsOf(bgRemoveInput).find((f) => f.name === 'feather')!;
    assert.equal(feather.options, undefined, 'a plain number field takes no word');
    assert.deepEqual(readField(feather, 'auto'), { problem: 'feather: a number (default 0.5), or a placeholder' });
  });
});
