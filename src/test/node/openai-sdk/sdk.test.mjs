// The official OpenAI Node SDK, unchanged, as a client of Ganglion. Run by OpenAiSdkIT with
// GANGLION_URL, GANGLION_KEY (admin), GANGLION_LIMITED_KEY (rpm 1, used once already) and GANGLION_KB set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.GANGLION_URL + '/v1';
const model = 'kb:' + process.env.GANGLION_KB;
const client = new OpenAI({ baseURL, apiKey: process.env.GANGLION_KEY, maxRetries: 0 });
const question = [{ role: 'user', content: 'How many days of paid leave do employees get?' }];

test('a chat completion answers with citations', async () => {
  const completion = await client.chat.completions.create({ model, messages: question, temperature: 0 });
  assert.match(completion.id, /^chatcmpl-[0-9a-f-]+$/);
  assert.equal(completion.object, 'chat.completion');
  assert.match(completion.choices[0].message.content, /25 days/);
  assert.equal(completion.choices[0].finish_reason, 'stop');
  assert.ok(completion.citations.length > 0);
  assert.ok(completion.usage.total_tokens > 0);
});

test('a streamed chat completion arrives in chunks and ends with a finish reason and usage', async () => {
  const stream = await client.chat.completions.create({
    model, messages: question, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  assert.match(text, /25 days/);
  assert.equal(finish, 'stop');
  assert.ok(usage.completion_tokens > 0);
});

test('max_tokens cuts the answer with finish_reason length', async () => {
  const completion = await client.chat.completions.create({ model, messages: question, max_tokens: 3 });
  assert.equal(completion.choices[0].finish_reason, 'length');
});

test('embeddings decode from the base64 the SDK asks for by default', async () => {
  const reply = await client.embeddings.create({ input: ['paid leave', 'coffee machine'] });
  assert.equal(reply.data.length, 2);
  assert.equal(reply.data[0].embedding.length, 384);
  const norm = Math.sqrt(reply.data[0].embedding.reduce((s, v) => s + v * v, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3);
  const floats = await client.embeddings.create({ input: 'paid leave', encoding_format: 'float', dimensions: 64 });
  assert.equal(floats.data[0].embedding.length, 64);
});

test('models list and retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    ids.push(m.id);
  }
  assert.ok(ids.includes(model));
  const one = await client.models.retrieve(model);
  assert.equal(one.id, model);
});

test('errors map to the SDK exception classes', async () => {
  const stranger = new OpenAI({ baseURL, apiKey: 'gk_not-a-real-key-at-all', maxRetries: 0 });
  await assert.rejects(stranger.chat.completions.create({ model, messages: question }),
    (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.type === 'authentication_error');
  await assert.rejects(client.chat.completions.create({ model: 'kb:no-such-kb-here', messages: question }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404 && e.code === 'not_found');
  await assert.rejects(client.chat.completions.create({ model, messages: question, n: 2 }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'n' && e.type === 'invalid_request_error');
  await assert.rejects(client.embeddings.create({ input: [] }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'input');
  const limited = new OpenAI({ baseURL, apiKey: process.env.GANGLION_LIMITED_KEY, maxRetries: 0 });
  await assert.rejects(limited.models.list(),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.type === 'rate_limit_error');
});

test('top_p is honoured; a JSON response_format where no OpenAI-compatible provider answers is a BadRequestError naming it', async () => {
  const sampled = await client.chat.completions.create({ model, messages: question, top_p: 0.5 });
  assert.equal(sampled.object, 'chat.completion');
  await assert.rejects(client.chat.completions.create({ model, messages: question, response_format: { type: 'json_object' } }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'response_format' && e.type === 'invalid_request_error');
});
