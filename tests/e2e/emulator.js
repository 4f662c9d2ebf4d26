#!/usr/bin/env node
/*
 * Bot API emulator for the end-to-end tests: telegram-test-api 4.2.1, wrapped so that
 * python-telegram-bot 22 can run against it.
 *
 *   node tests/e2e/emulator.js [--port N]   (or EMULATOR_PORT=N; 0, the default, picks a free port)
 *
 * It listens on 127.0.0.1 only and prints `listening 127.0.0.1:PORT` once it accepts requests.
 *
 * The stock package keeps the storage (bot messages, queued user updates, the id counters),
 * stores what the bot sends, and serves the client read routes /getUpdates and
 * /getUpdatesHistory. An outer Express app in front of it answers everything else. Each fix is
 * tagged in the code with the fact about the stock package it answers (README.md has the table):
 *
 *   [getMe]    getMe lacks is_bot, so PTB cannot start.
 *              -> a complete User.
 *   [message]  sendMessage's date is in milliseconds (ValueError in PTB).
 *              -> a proper Message: date in seconds, from, chat, inline reply_markup only.
 *   [edit]     edits answer null (AttributeError) and keep the old keyboard.
 *              -> the edited Message; an edit without markup drops the keyboard; clients see it.
 *   [callback] callback_query lacks chat_instance; its message is whatever the client sent.
 *              -> add chat_instance; take the message from the store by message_id.
 *   [poll]     getUpdates ignores timeout, so an idle PTB spins.
 *              -> long-poll up to `timeout` seconds.
 *   [offset]   getUpdates ignores offset, limit, allowed_updates; delivery is at-most-once.
 *              -> updates stay queued until an offset confirms them, so they can come again.
 *   [methods]  unknown methods get HTTP 500, which PTB retries as a network error.
 *              -> 400 naming the method; `true` for harmless start-up setters.
 *   [status]   errors come back as HTTP 200 {ok:false} (KeyError in PTB).
 *              -> a 4xx status.
 *   [crash]    a client call without botToken, or /sendCommand without entities, kills node.
 *              -> 400.
 *   [parse]    parse_mode is ignored: HTML tags stay in the text, and bad markup is accepted.
 *              -> with parse_mode HTML, the text users see has the tags taken out and the
 *                 entities read; unknown tags or a stray & or < are refused, as Telegram does.
 *   [group]    only private chats.
 *              -> the client names the chat (a group has a negative id); replies carry it.
 *
 * Additions for tests: POST /injectUpdate queues a raw update (forged callbacks, repeated
 * update ids); POST /botMessages lists or waits for what the bot sent to a chat, edits applied;
 * POST /callbackAnswer reads or waits for the bot's answer to a button press.
 *
 * Telegram's behaviour the stock package lacks, for the tests that need it:
 *   [blocked]  a person who blocked the bot: POST /block {chatId, blocked} makes every send or
 *              edit to that chat answer 403 "Forbidden: bot was blocked by the user", as
 *              Telegram does; POST /refusals counts those refusals per chat.
 *   [files]    files sent by users: POST /uploadFile {fileName, content (base64)} keeps one
 *              and gives its file_id; getFile and GET /file/bot<token>/<path> serve it, on this
 *              server, as a Bot API server serves files to bots.
 *   [outage]   the Bot API unreachable: POST /outage {seconds} drops every bot connection
 *              (those waiting in a long poll too) for that long, as a network failure would.
 */
'use strict';

const { EventEmitter } = require('node:events');
const { createRequire } = require('node:module');
const TelegramServer = require('telegram-test-api');

// The Express telegram-test-api itself runs on, so the layer needs no dependency of its own.
const express = createRequire(require.resolve('telegram-test-api'))('express');

const HOST = '127.0.0.1';
const MAX_TEXT_LENGTH = 4096; // Telegram refuses longer message texts
const MAX_CALLBACK_DATA_BYTES = 64; // and longer callback data
const HARMLESS_SETTERS = [ // [methods] calls a bot makes at start-up; answering true is enough
  'deleteMyCommands', 'sendChatAction', 'setChatMenuButton', 'setMyDefaultAdministratorRights',
  'setMyDescription', 'setMyName', 'setMyShortDescription',
];

// The port given here is never used: the layer listens itself, with its own app in front.
const server = new TelegramServer({ host: HOST, port: 1 });
const changes = new EventEmitter(); // 'update', 'bot' and 'answer' events, each with a token
changes.setMaxListeners(0); // one listener per waiting long poll
let version = 0; // bumped whenever a bot message is sent, edited or deleted
const chats = new Map(); // chat id -> Chat as the client described it [group]
const answers = new Map(); // callback query id -> null until the bot answers, then the answer
const commands = new Map(); // token and scope -> the list from setMyCommands
const allowedUpdates = new Map(); // token -> update kinds from getUpdates' allowed_updates
const blocked = new Set(); // `${token}:${chatId}` of chats whose person blocked the bot [blocked]
const refusals = new Map(); // token -> {chatId: sends refused} [blocked]
const files = new Map(); // file_id -> {token, path, content, size} [files]
const polls = new Set(); // responses held open by a long poll, to drop in an outage [outage]
let outageUntil = 0; // Date.now() before which bot connections are dropped [outage]

function menuKey(token, params) {
  const scope = params.scope ? json(params.scope, 'scope') : { type: 'default' };
  return `${token}:${scope.type}:${scope.chat_id ?? ''}`;
}

class ApiError extends Error {
  constructor(description, code = 400) {
    super(description);
    this.code = code;
  }
}

const badRequest = (what) => new ApiError(`Bad Request: ${what}`);
const seconds = (millis) => Math.floor(millis / 1000);

// PTB sends every parameter form-encoded, so numbers, booleans and objects arrive as JSON text.
function json(value, name) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`can't parse ${name}`);
  }
}

function integer(value, name, fallback) {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw badRequest(`${name} is empty`);
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw badRequest(`${name} must be an integer`);
  return number;
}

function requireToken(token, name = 'botToken') {
  if (typeof token !== 'string' || !token) throw badRequest(`${name} is required`); // [crash]
  return token;
}

// [getMe] PTB's User needs id, is_bot and first_name; a Telegram token starts with the bot's id.
function botUser(token) {
  const id = Number(token.split(':')[0]);
  return {
    id: Number.isSafeInteger(id) && id > 0 ? id : 666,
    is_bot: true,
    first_name: 'Emulated Bot',
    username: 'emulated_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };
}

// [group] A chat is what the client said it was; an id never seen is private if positive.
function chatFor(id) {
  if (chats.has(id)) return chats.get(id);
  return id < 0 ? { id, type: 'group', title: `Group ${-id}` } : { id, type: 'private' };
}

// [message] The Message Telegram would return: date in seconds, from, chat, inline markup only.
function toMessage(record) {
  const stored = record.message;
  // A message's `from` has none of getMe's extra fields, as on Telegram.
  const { id, is_bot, first_name, username } = botUser(record.botToken);
  const message = {
    message_id: record.messageId,
    from: { id, is_bot, first_name, username },
    chat: chatFor(Number(stored.chat_id)),
    date: seconds(record.time),
    text: stored.text,
  };
  if (stored.entities) message.entities = stored.entities;
  if (stored.edit_date) message.edit_date = stored.edit_date;
  if (stored.reply_markup?.inline_keyboard) {
    message.reply_markup = { inline_keyboard: stored.reply_markup.inline_keyboard };
  }
  return message;
}

function findBotMessage(token, chatId, messageId, missing) {
  const record = server.storage.botMessages.find((r) => r.botToken === token
    && r.messageId === messageId && (chatId === undefined || Number(r.message.chat_id) === chatId));
  if (!record) throw badRequest(missing);
  return record;
}

function botMessageChanged(record) {
  record.version = ++version;
  record.isRead = false; // the stock client /getUpdates then hands the edit out again [edit]
  changes.emit('bot', record.botToken);
}

function checkText(text) {
  if (typeof text !== 'string' || !text.trim()) throw badRequest('message text is empty');
  if (text.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  return text;
}

// [parse] Telegram's HTML mode: a few tags, and &lt; &gt; &amp; &quot; as the only entities.
const HTML_TAG = /<\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler)>/g;
const HTML_ENTITY = /&(lt|gt|amp|quot|#\d+);/g;
function visibleText(text, parseMode) {
  if (parseMode === undefined || parseMode === null || parseMode === '') return text;
  if (String(parseMode).toUpperCase() !== 'HTML') {
    throw badRequest(`parse mode ${parseMode} is not supported by the emulator`);
  }
  const bare = text.replace(HTML_TAG, '');
  if (bare.includes('<') || bare.replace(HTML_ENTITY, '').includes('&')) {
    throw badRequest("can't parse entities: unsupported start tag or unescaped character");
  }
  const named = { lt: '<', gt: '>', amp: '&', quot: '"' };
  return bare.replace(HTML_ENTITY, (_, name) =>
    name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : named[name]);
}

function checkMarkup(value) {
  if (value === undefined) return undefined;
  const markup = json(value, 'reply_markup');
  for (const row of markup?.inline_keyboard ?? []) {
    for (const button of row) {
      const data = button.callback_data;
      if (data !== undefined && Buffer.byteLength(String(data)) > MAX_CALLBACK_DATA_BYTES) {
        throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
  return markup;
}

// Resolves when `event` fires for `token`, after `millis`, or when the caller hangs up;
// answers true when the caller is still there.
function waitFor(event, token, millis, res) {
  return new Promise((resolve) => {
    const finish = (present) => {
      clearTimeout(timer);
      changes.off(event, onEvent);
      res.off('close', onClose);
      resolve(present);
    };
    const onEvent = (eventToken) => eventToken === token && finish(true);
    const onClose = () => finish(false);
    const timer = setTimeout(finish, millis, true);
    changes.on(event, onEvent);
    res.on('close', onClose);
  });
}

// Queues a complete Bot API update, as Telegram would send it, for the bot to fetch.
function queueUpdate(token, update) {
  server.updateId = Math.max(server.updateId, update.update_id + 1);
  const callbackId = String(update.callback_query?.id ?? '');
  if (callbackId && !answers.has(callbackId)) answers.set(callbackId, null);
  server.storage.userMessages.push({
    time: Date.now(), botToken: token, updateId: update.update_id, isRead: false, update,
  });
  changes.emit('update', token);
  return update;
}

const updateKind = (update) => Object.keys(update).find((key) => key !== 'update_id');

// [offset] An update stays queued until getUpdates is called with an offset above its id, so an
// unconfirmed update is delivered again. One queued with an id already below the offset
// (injectUpdate repeating an id) is delivered once before it can be confirmed.
function confirmUpdates(token, offset) {
  const queue = server.storage.userMessages;
  if (offset < 0) { // Telegram: keep only the last -offset updates
    const kept = new Set(queue.filter((r) => r.botToken === token).slice(offset));
    server.storage.userMessages = queue.filter((r) => r.botToken !== token || kept.has(r));
  } else {
    server.storage.userMessages = queue.filter((r) => r.botToken !== token
      || r.updateId >= offset || !r.isRead);
  }
}

function pendingUpdates(token, limit) {
  const allowed = allowedUpdates.get(token);
  // Telegram never delivers updates of a kind the bot did not ask for.
  server.storage.userMessages = server.storage.userMessages.filter((r) => r.botToken !== token
    || !allowed || allowed.includes(updateKind(r.update)));
  return server.storage.userMessages.filter((r) => r.botToken === token).slice(0, limit);
}

async function getUpdates(token, params, res) {
  const offset = integer(params.offset, 'offset', 0);
  const limit = Math.min(Math.max(integer(params.limit, 'limit', 100), 1), 100);
  const timeout = Math.max(Number(params.timeout ?? 0) || 0, 0);
  if (params.allowed_updates !== undefined) {
    const kinds = json(params.allowed_updates, 'allowed_updates');
    allowedUpdates.set(token, Array.isArray(kinds) && kinds.length ? kinds : null);
  }
  confirmUpdates(token, offset);
  let records = pendingUpdates(token, limit);
  if (!records.length && timeout > 0) { // [poll]
    if (!await waitFor('update', token, timeout * 1000, res)) return [];
    records = pendingUpdates(token, limit);
  }
  for (const record of records) record.isRead = true;
  return records.map((r) => r.update);
}

// [blocked] Telegram answers 403 for a chat whose person blocked the bot, for good.
function refuseBlocked(token, chatId) {
  if (!blocked.has(`${token}:${chatId}`)) return;
  const counts = refusals.get(token) ?? {};
  counts[chatId] = (counts[chatId] ?? 0) + 1;
  refusals.set(token, counts);
  throw new ApiError('Forbidden: bot was blocked by the user', 403);
}

function sendMessage(token, params) {
  refuseBlocked(token, integer(params.chat_id, 'chat_id'));
  const text = visibleText(checkText(params.text), params.parse_mode);
  const message = { chat_id: integer(params.chat_id, 'chat_id'), text: checkText(text) };
  const markup = checkMarkup(params.reply_markup);
  if (markup) message.reply_markup = markup;
  if (params.entities) message.entities = json(params.entities, 'entities');
  server.addBotMessage(message, token);
  const record = server.storage.botMessages.at(-1);
  botMessageChanged(record);
  return toMessage(record);
}

// [edit] Returns the edited Message. Telegram drops the keyboard when an edit carries none, and
// refuses an edit that changes nothing.
function editMessage(token, params, { withText }) {
  if (params.inline_message_id) {
    throw badRequest('inline messages are not supported by the emulator');
  }
  refuseBlocked(token, integer(params.chat_id, 'chat_id'));
  const record = findBotMessage(token, integer(params.chat_id, 'chat_id'),
    integer(params.message_id, 'message_id'), 'message to edit not found');
  const before = record.message;
  const after = { ...before };
  if (withText) {
    after.text = checkText(visibleText(checkText(params.text), params.parse_mode));
    delete after.entities;
    if (params.entities) after.entities = json(params.entities, 'entities');
  }
  const markup = checkMarkup(params.reply_markup);
  delete after.reply_markup;
  if (markup?.inline_keyboard) after.reply_markup = markup;
  const content = (m) => JSON.stringify([m.text, m.entities, m.reply_markup?.inline_keyboard]);
  if (content(before) === content(after)) {
    throw badRequest('message is not modified: specified new message content and reply markup'
      + ' are exactly the same as a content and reply markup of the current message');
  }
  after.edit_date = seconds(Date.now());
  record.message = after;
  botMessageChanged(record);
  return toMessage(record);
}

function deleteMessage(token, params) {
  const record = findBotMessage(token, integer(params.chat_id, 'chat_id'),
    integer(params.message_id, 'message_id'), 'message to delete not found');
  server.storage.botMessages = server.storage.botMessages.filter((r) => r !== record);
  version++;
  changes.emit('bot', token);
  return true;
}

function answerCallbackQuery(token, params) {
  const id = String(params.callback_query_id ?? '');
  if (!answers.has(id)) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  if (answers.get(id) === null) { // the user sees the first answer; later ones change nothing
    answers.set(id, {
      text: params.text ?? null,
      show_alert: json(params.show_alert ?? 'false', 'show_alert') === true,
      url: params.url ?? null,
    });
    changes.emit('answer', token);
  }
  return true;
}

const botMethods = {
  getMe: (token) => botUser(token),
  getUpdates: (token, params, res) => getUpdates(token, params, res),
  sendMessage,
  editMessageText: (token, params) => editMessage(token, params, { withText: true }),
  editMessageReplyMarkup: (token, params) => editMessage(token, params, { withText: false }),
  deleteMessage,
  answerCallbackQuery,
  deleteWebhook(token, params) {
    if (json(params.drop_pending_updates ?? 'false', 'drop_pending_updates') === true) {
      server.storage.userMessages = server.storage.userMessages.filter((r) => r.botToken !== token);
    }
    server.deleteWebhook(token);
    return true;
  },
  // Menus are kept per scope (the default one, or one chat's), as Telegram keeps them.
  setMyCommands(token, params) {
    commands.set(menuKey(token, params), json(params.commands ?? '[]', 'commands'));
    return true;
  },
  getMyCommands: (token, params) => commands.get(menuKey(token, params)) ?? [],
  getFile(token, params) { // [files]
    const file = files.get(String(params.file_id ?? ''));
    if (!file || file.token !== token) throw badRequest('invalid file_id');
    return {
      file_id: params.file_id, file_unique_id: `u${params.file_id}`, file_size: file.size,
      file_path: file.path,
    };
  },
  ...Object.fromEntries(HARMLESS_SETTERS.map((name) => [name, () => true])),
};

// Reads whatever body is left (a multipart upload, say) so the refusal reaches the bot
// instead of a connection reset.
function drain(req) {
  return new Promise((resolve) => {
    if (req.readableEnded) {
      resolve();
      return;
    }
    req.once('end', resolve).once('error', resolve).resume();
  });
}

async function callBotMethod(req, res) {
  const { token, method } = req.params;
  if (method === 'getUpdates') { // [outage] a long poll is dropped when an outage begins
    polls.add(res);
    res.once('close', () => polls.delete(res));
  }
  const handler = Object.hasOwn(botMethods, method) ? botMethods[method] : undefined;
  if (!handler) { // [methods]
    await drain(req);
    throw badRequest(`method ${method} is not supported by the emulator`);
  }
  return handler(token, { ...req.query, ...req.body }, res);
}

// The client routes take the shapes of the stock TelegramClient (botToken, from, chat, text)
// and queue the complete update the bot will see; the response carries that update.
function sender(body) {
  const from = body.from;
  if (!Number.isSafeInteger(from?.id)) throw badRequest('from.id is required');
  return { is_bot: false, first_name: 'User', ...from };
}

function clientMessage(body, { command }) {
  const token = requireToken(body.botToken);
  const from = sender(body);
  if (command && !Array.isArray(body.entities)) { // [crash]
    throw badRequest('a command needs `entities` with a bot_command entity');
  }
  const chat = body.chat ?? { id: from.id, type: 'private', first_name: from.first_name };
  if (!Number.isSafeInteger(chat.id)) throw badRequest('chat.id must be an integer');
  chat.type ??= chat.id < 0 ? 'group' : 'private';
  chats.set(chat.id, chat); // [group]
  const { botToken, ...fields } = body;
  const message = {
    ...fields, message_id: server.messageId++, from, chat, date: seconds(Date.now()),
  };
  return queueUpdate(token, { update_id: server.updateId, message });
}

// [callback] The message a button sits on comes from the store (edits applied) when the client
// names it by message_id; a message the client sends itself must at least look like one.
function clientCallback(body) {
  const token = requireToken(body.botToken);
  const from = sender(body);
  if (typeof body.data !== 'string') throw badRequest('data is required');
  let message = body.message;
  if (message === undefined) {
    const chatId = body.chat_id === undefined ? undefined : integer(body.chat_id, 'chat_id');
    message = toMessage(findBotMessage(token, chatId, integer(body.message_id, 'message_id'),
      'message with the button not found'));
  } else if (!message.date || !Number.isSafeInteger(message.chat?.id) || !message.message_id) {
    throw badRequest('message needs message_id, date and chat; or send message_id alone');
  }
  const callbackQuery = {
    id: String(server.callbackId++),
    from,
    message,
    chat_instance: String(message.chat.id), // one opaque value per chat, as Telegram's is
    data: body.data,
  };
  return queueUpdate(token, { update_id: server.updateId, callback_query: callbackQuery });
}

function injectUpdate(body) {
  const token = requireToken(body.botToken);
  const update = body.update;
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw badRequest('update must be an object');
  }
  const id = integer(update.update_id, 'update_id', server.updateId);
  return queueUpdate(token, { ...update, update_id: id });
}

// Bot messages in one chat changed after version `after` (all of them for 0), edits applied;
// waits up to `timeout` seconds for one. The answer's `version` is the next `after`.
async function botMessages(req, res) {
  const token = requireToken(req.body.botToken);
  const chatId = integer(req.body.chatId, 'chatId');
  const after = integer(req.body.after, 'after', 0);
  const changed = () => server.storage.botMessages.filter((r) => r.botToken === token
    && Number(r.message.chat_id) === chatId && r.version > after);
  let records = changed();
  const timeout = Number(req.body.timeout ?? 0) || 0;
  if (!records.length && timeout > 0 && await waitFor('bot', token, timeout * 1000, res)) {
    records = changed();
  }
  return { version, messages: records.map(toMessage) };
}

// [files] A file a user sent, kept for the bot to fetch; its file_id goes in a document.
function uploadFile(body) {
  const token = requireToken(body.botToken);
  if (typeof body.content !== 'string') throw badRequest('content (base64) is required');
  const content = Buffer.from(body.content, 'base64');
  const fileId = `file${files.size + 1}`;
  const path = `documents/${fileId}_${String(body.fileName ?? 'file').replace(/[^\w.-]/g, '_')}`;
  files.set(fileId, { token, path, content, size: content.length });
  return { file_id: fileId, file_unique_id: `u${fileId}`, file_size: content.length };
}

// The bot's answer to one button press, or null; waits up to `timeout` seconds for it.
async function callbackAnswer(req, res) {
  const token = requireToken(req.body.botToken);
  const id = String(req.body.callbackQueryId ?? '');
  if (!answers.has(id)) throw badRequest(`no callback query ${id}`);
  const timeout = Number(req.body.timeout ?? 0) || 0;
  if (answers.get(id) === null && timeout > 0) await waitFor('answer', token, timeout * 1000, res);
  return answers.get(id);
}

// [status] Success is 200 {ok:true, result}; any error gets a 4xx (500 only for a bug here).
function refuse(res, error) {
  const code = error instanceof ApiError ? error.code : 500;
  if (code === 500) console.error(error);
  res.status(code).json({ ok: false, error_code: code, description: error.message });
}

const route = (handler) => async (req, res) => {
  try {
    const result = await handler(req, res);
    if (!res.writableEnded && !res.destroyed) res.json({ ok: true, result });
  } catch (error) {
    refuse(res, error);
  }
};

const app = express();
app.use((req, res, next) => { // [outage] while it lasts, the bot's connections just drop
  if (Date.now() < outageUntil && /^\/(file\/)?bot[^/]*\//.test(req.path)) {
    req.socket.destroy();
    return;
  }
  next();
});
app.get('/file/bot:token/*', (req, res) => { // [files]
  const path = req.params[0];
  const file = [...files.values()].find((f) => f.token === req.params.token && f.path === path);
  if (!file) {
    refuse(res, new ApiError('Not Found: file', 404));
    return;
  }
  res.type('application/octet-stream').send(file.content);
});
app.use(express.json({ limit: '1mb' }));
app.use(express.urlencoded({ extended: true, limit: '1mb' }));
app.all('/bot:token/:method', route(callBotMethod));
app.post('/sendMessage', route((req) => clientMessage(req.body, { command: false })));
app.post('/sendCommand', route((req) => clientMessage(req.body, { command: true })));
app.post('/sendCallback', route((req) => clientCallback(req.body)));
app.post('/injectUpdate', route((req) => injectUpdate(req.body)));
app.post('/botMessages', route(botMessages));
app.post('/callbackAnswer', route(callbackAnswer));
app.post('/uploadFile', route((req) => uploadFile(req.body)));
app.post('/block', route((req) => { // [blocked]
  const key = `${requireToken(req.body.botToken)}:${integer(req.body.chatId, 'chatId')}`;
  if (req.body.blocked === false) blocked.delete(key); else blocked.add(key);
  return true;
}));
app.post('/refusals', route((req) => refusals.get(requireToken(req.body.botToken)) ?? {}));
app.post('/outage', route((req) => { // [outage]
  outageUntil = Date.now() + 1000 * (Number(req.body.seconds) || 0);
  for (const res of polls) res.socket?.destroy();
  polls.clear();
  return true;
}));
app.post(['/getUpdates', '/getUpdatesHistory'], (req, res, next) => {
  try {
    requireToken(req.body.token, 'token'); // [crash] the stock read routes call it `token`
    next();
  } catch (error) {
    refuse(res, error);
  }
}, server.webServer);
app.use((req, res) => refuse(res, new ApiError(`Not Found: ${req.method} ${req.path}`, 404)));
app.use((error, req, res, _next) => { // malformed bodies: express reports them with a 4xx status
  const code = error.status >= 400 && error.status < 500 ? error.status : 500;
  const description = `Bad Request: ${error.message}`;
  res.status(code).json({ ok: false, error_code: code, description });
});

function portFromArguments() {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
  const value = at < 0 ? process.env.EMULATOR_PORT : (args[at].split('=')[1] ?? args[at + 1]);
  const port = Number(value ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`emulator: bad port ${value}`);
    process.exit(2);
  }
  return port;
}

const listener = app.listen(portFromArguments(), HOST, () => {
  console.log(`listening ${HOST}:${listener.address().port}`);
});
listener.on('error', (error) => {
  console.error(`emulator: ${error.message}`);
  process.exit(1);
});
