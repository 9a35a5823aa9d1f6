/**
 * transition: applies one lifecycle event to one batch in a single atomic step: the dedupe check,
 * the state change, the dedupe mark, and the events the change causes (written to the batch's
 * outbox, which the caller and any retry drain). A crash before the script changes nothing; a
 * crash after it loses nothing, because the outbox is drained on every later delivery.
 *
 * KEYS (all share the batch's hash tag):
 *   1 meta        hash: status, expected_count, received_count_from_uploads, ready_count,
 *                 failed_count, excess_count, incomplete_uploads (finished uploads with files
 *                 still lacking an outcome), open_uploads (accepted by the API, not finished),
 *                 created_at_ms, ...
 *   2 freeSlots   list of essay ids not yet assigned
 *   3 allSlots    list of every essay id, in registration order
 *   4 essays      hash essay_id -> JSON {essay_id, file_upload_id, original_file_name,
 *                 raw_storage_id, text_storage_id, status}
 *   5 files       hash file_upload_id -> JSON outcome {kind: ready|failed|excess, ...}
 *   6 uploads     hash upload_id -> JSON {expected, outcomes, finished, announced}
 *   7 processed   set of event ids this consumer has applied
 *   8 outbox      list of JSON {event_type, subject_id, phase, outcome, data}
 * ARGV:
 *   1 event_id    2 op: content | failure | upload_announced | upload_abandoned | upload_finished |
 *                 timeout
 *   3 payload     JSON, fields per op (see BatchStore)
 *   4 retention   seconds every touched key lives after this change
 *   5 now_ms      the caller's clock, for ready_at / timed_out_at
 * Returns {result, detail, created_at_ms, outbox}:
 *   result  'duplicate' (already applied; nothing changed) | 'applied'
 *   detail  'assigned:<essay_id>' | 'revived:<essay_id>' | 'revived:excess' | 'excess:<reason>' | 'failed' | 'upload_counted' |
 *           'upload_announced' | 'already:<kind>' | 'not_registered' | 'timed_out' | 'noop', with
 *           ';ready' appended
 *           when this change made the batch ready
 *   outbox  every entry now waiting in the outbox: this change's, and any that earlier changes
 *           of the batch left unpublished (the caller publishes them without another round trip)
 */
export const transitionLua = `
local meta, freeSlots, allSlots, essays, files, uploads, processed, outbox =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local eid, op, p, retention, now_ms = ARGV[1], ARGV[2], cjson.decode(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

-- every key lives at least ARGV[4] seconds after the last change, and never less than the batch
-- itself (meta keeps registration's retention + readiness timeout)
local function touch()
  local target = math.max(retention, redis.call('TTL', meta))
  for i = 1, #KEYS do
    if redis.call('TTL', KEYS[i]) < target then redis.call('EXPIRE', KEYS[i], target) end
  end
end

if redis.call('SISMEMBER', processed, eid) == 1 then
  return {'duplicate', '', redis.call('HGET', meta, 'created_at_ms') or '', redis.call('LRANGE', outbox, 0, -1)}
end

local registered = redis.call('EXISTS', meta) == 1
local status = registered and redis.call('HGET', meta, 'status') or ''
local batch_id = p.batch_id

-- data is a JSON string built here, because cjson encodes an empty array as {}
local function emit(event_type, subject, phase, outcome, data)
  redis.call('RPUSH', outbox, '{"event_type":' .. cjson.encode(event_type) ..
    ',"subject_id":' .. cjson.encode(subject) .. ',"phase":' .. cjson.encode(phase) ..
    ',"outcome":' .. cjson.encode(outcome) .. ',"data":' .. data .. '}')
end

local function ready_list()
  local items = {}
  for _, essay_id in ipairs(redis.call('LRANGE', allSlots, 0, -1)) do
    local v = redis.call('HGET', essays, essay_id)
    if v then
      local e = cjson.decode(v)
      items[#items + 1] = cjson.encode({essay_id = e.essay_id, file_upload_id = e.file_upload_id,
        text_storage_id = e.text_storage_id, original_file_name = e.original_file_name})
    end
  end
  return '[' .. table.concat(items, ',') .. ']'
end

local function failure_list()
  local items = {}
  for _, v in ipairs(redis.call('HVALS', files)) do
    local r = cjson.decode(v)
    if r.kind == 'failed' then
      items[#items + 1] = cjson.encode({file_upload_id = r.file_upload_id,
        original_file_name = r.original_file_name, error_code = r.error_code, message = r.message})
    end
  end
  return '[' .. table.concat(items, ',') .. ']'
end

-- one more file of upload upload_id has its outcome
local function count_outcome(upload_id)
  local raw = redis.call('HGET', uploads, upload_id)
  local u = raw and cjson.decode(raw) or {expected = 0, outcomes = 0, finished = false}
  u.outcomes = u.outcomes + 1
  if u.finished and u.outcomes == u.expected then
    redis.call('HINCRBY', meta, 'incomplete_uploads', -1)
  end
  redis.call('HSET', uploads, upload_id, cjson.encode(u))
end

local detail = 'noop'

-- content takes a free slot: the file's essay is ready; returns the essay id, or nil if none is free
local function take_slot(fid)
  local essay_id = redis.call('LPOP', freeSlots)
  if not essay_id then return nil end
  redis.call('HSET', essays, essay_id, cjson.encode({essay_id = essay_id, file_upload_id = fid,
    original_file_name = p.original_file_name, raw_storage_id = p.raw_storage_id,
    text_storage_id = p.text_storage_id, status = 'ready'}))
  redis.call('HSET', files, fid, cjson.encode({kind = 'ready', essay_id = essay_id,
    file_upload_id = fid, upload_id = p.upload_id, original_file_name = p.original_file_name}))
  redis.call('HINCRBY', meta, 'ready_count', 1)
  return essay_id
end

-- content that finds no slot is recorded and answered, never dropped
local function record_excess(fid, reason)
  redis.call('HSET', files, fid, cjson.encode({kind = 'excess', file_upload_id = fid,
    upload_id = p.upload_id, original_file_name = p.original_file_name,
    raw_storage_id = p.raw_storage_id, text_storage_id = p.text_storage_id, reason = reason}))
  if registered then redis.call('HINCRBY', meta, 'excess_count', 1) end
  emit('ExcessContentProvisionedV1', fid, 'lifecycle', 'excess', cjson.encode({
    batch_id = batch_id, file_upload_id = fid, original_file_name = p.original_file_name,
    text_storage_id = p.text_storage_id, reason = reason}))
end

if op == 'content' or op == 'failure' then
  local fid = p.file_upload_id
  local existing = redis.call('HGET', files, fid)
  local prior = existing and cjson.decode(existing) or nil
  -- content for a file whose job had died (PROCESSING_FAILED) replaces that outcome: the board's
  -- Retry of a dead job makes its essay ready, even in a batch that completed without it
  local revived = registered and prior and op == 'content' and prior.kind == 'failed'
    and prior.error_code == 'PROCESSING_FAILED'
  if prior and not revived then
    detail = 'already:' .. prior.kind
  elseif revived then
    redis.call('HINCRBY', meta, 'failed_count', -1)
    local essay_id = take_slot(fid)
    if essay_id then
      detail = 'revived:' .. essay_id
    else
      record_excess(fid, 'NO_AVAILABLE_SLOT')
      detail = 'revived:excess'
    end
  elseif op == 'failure' then
    redis.call('HSET', files, fid, cjson.encode({kind = 'failed', file_upload_id = fid,
      upload_id = p.upload_id, original_file_name = p.original_file_name,
      raw_storage_id = p.raw_storage_id, error_code = p.error_code, message = p.message}))
    if registered then
      redis.call('HINCRBY', meta, 'failed_count', 1)
      count_outcome(p.upload_id)
    end
    detail = 'failed'
  else
    local reason = nil
    if not registered then
      reason = 'BATCH_NOT_REGISTERED'
    elseif status ~= 'awaiting_content' then
      reason = 'BATCH_ALREADY_COMPLETED'
    else
      local essay_id = take_slot(fid)
      if essay_id then detail = 'assigned:' .. essay_id else reason = 'NO_AVAILABLE_SLOT' end
    end
    if reason then
      record_excess(fid, reason)
      detail = 'excess:' .. reason
    end
    if registered then count_outcome(p.upload_id) end
  end
elseif op == 'upload_announced' then
  -- the API accepted an upload: the batch is not ready before that upload has finished
  local raw = redis.call('HGET', uploads, p.upload_id)
  if not registered then
    detail = 'not_registered'
  elseif raw then
    detail = 'already:upload'
  else
    redis.call('HSET', uploads, p.upload_id, cjson.encode({expected = p.expected_count, outcomes = 0,
      finished = false, announced = true}))
    redis.call('HINCRBY', meta, 'open_uploads', 1)
    detail = 'upload_announced'
  end
elseif op == 'upload_abandoned' then
  -- the API could not add the flow of an announced upload: it must not hold readiness back
  local raw = redis.call('HGET', uploads, p.upload_id)
  local u = raw and cjson.decode(raw) or nil
  if registered and u and u.announced and not u.finished then
    redis.call('HDEL', uploads, p.upload_id)
    redis.call('HINCRBY', meta, 'open_uploads', -1)
    detail = 'upload_abandoned'
  end
elseif op == 'upload_finished' then
  if not registered then
    detail = 'not_registered'
  else
    local raw = redis.call('HGET', uploads, p.upload_id)
    local u = raw and cjson.decode(raw) or {expected = 0, outcomes = 0, finished = false}
    if u.finished then
      detail = 'already:upload'
    else
      if u.announced then redis.call('HINCRBY', meta, 'open_uploads', -1) end
      u.finished = true
      u.expected = p.expected_count
      if u.outcomes < u.expected then redis.call('HINCRBY', meta, 'incomplete_uploads', 1) end
      redis.call('HSET', uploads, p.upload_id, cjson.encode(u))
      redis.call('HINCRBY', meta, 'received_count_from_uploads', p.expected_count)
      detail = 'upload_counted'
    end
  end
elseif op == 'timeout' then
  if registered and status == 'awaiting_content' then
    local m = redis.call('HMGET', meta, 'expected_count', 'ready_count', 'failed_count')
    local expected, actual = tonumber(m[1]), tonumber(m[2]) + tonumber(m[3])
    local missing = expected - actual
    if missing < 0 then missing = 0 end
    redis.call('HSET', meta, 'status', 'timed_out', 'completed_at_ms', now_ms)
    emit('BatchReadinessTimedOutV1', batch_id, 'readiness', 'timed_out', '{"batch_id":' ..
      cjson.encode(batch_id) .. ',"missing_n":' .. missing .. ',"expected_count":' .. expected ..
      ',"actual_count":' .. actual .. ',"ready_essays":' .. ready_list() ..
      ',"validation_failures":' .. failure_list() .. '}')
    detail = 'timed_out'
  end
else
  return redis.error_reply('unknown op ' .. tostring(op))
end

redis.call('SADD', processed, eid)

if registered and op ~= 'timeout' and redis.call('HGET', meta, 'status') == 'awaiting_content' then
  local m = redis.call('HMGET', meta, 'expected_count', 'received_count_from_uploads',
    'incomplete_uploads', 'ready_count', 'failed_count', 'excess_count', 'open_uploads')
  if tonumber(m[2]) >= tonumber(m[1]) and tonumber(m[3]) == 0 and tonumber(m[7] or 0) == 0 then
    redis.call('HSET', meta, 'status', 'ready', 'completed_at_ms', now_ms)
    local total = tonumber(m[4]) + tonumber(m[5]) + tonumber(m[6])
    emit('BatchEssaysReadyV1', batch_id, 'readiness', 'ready', '{"batch_id":' ..
      cjson.encode(batch_id) .. ',"ready_essays":' .. ready_list() .. ',"validation_failures":' ..
      failure_list() .. ',"total_files_processed":' .. total .. '}')
    detail = detail .. ';ready'
  end
end

touch()
return {'applied', detail, redis.call('HGET', meta, 'created_at_ms') or '', redis.call('LRANGE', outbox, 0, -1)}
`;

/**
 * append-event: appends an envelope to a batch's event log once per event id, and tells live
 * listeners (Server-Sent Events) that the log grew.
 * KEYS: 1 events (list of envelope JSON, oldest first)  2 eventIds (set)
 * ARGV: 1 event_id  2 envelope JSON  3 retention seconds  4 pub/sub channel of the batch
 * Returns 1 when appended, 0 when the id was already in the log.
 */
export const appendEventLua = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
local n = redis.call('RPUSH', KEYS[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
redis.call('PUBLISH', ARGV[4], n)
return 1
`;
