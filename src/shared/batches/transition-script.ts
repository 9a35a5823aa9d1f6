/**
 * transition: one atomic step of a batch: an upload announced, an upload's files applied (by
 * the flow's parent), a child's report, an announced upload's lease running out, the readiness
 * deadline. The state change and the events it causes (appended to the batch's outbox, which
 * the caller and any retry publish) happen together: a crash before the script changes
 * nothing, a crash after it loses nothing. Every op is idempotent by the state it finds (a file
 * with an outcome keeps it, an applied upload is not counted again), so a retried step or a
 * replayed report changes nothing twice.
 *
 * KEYS (all share the batch's hash tag):
 *   1 meta       hash: status (awaiting_content | ready | timed_out), expected_count,
 *                received_count_from_uploads, ready_count, failed_count, excess_count,
 *                open_uploads (announced, not yet applied or abandoned), deadline_passed,
 *                created_at_ms, completed_at_ms, ...
 *   2 freeSlots  list of essay ids not yet assigned
 *   3 allSlots   list of every essay id, in registration order
 *   4 essays     hash essay_id -> JSON {essay_id, file_upload_id, original_file_name,
 *                raw_storage_id, text_storage_id, status}
 *   5 files      hash file_upload_id -> JSON outcome {kind: ready | failed | excess, ...}
 *   6 uploads    hash upload_id -> JSON {expected, state: open | applied | abandoned}
 *   7 outbox     list of JSON {event_type, subject_id, phase, outcome, data}
 *   8 contents   hash 'raw:<raw_storage_id>' and 'text:<text_fingerprint>' -> JSON
 *                {file_upload_id, original_file_name} of the essay that holds those bytes or
 *                that text (a duplicate takes no slot)
 * ARGV:
 *   1 op         announce | apply | report | lease | timeout
 *   2 payload    JSON; every op has batch_id;
 *                announce {upload_id, expected_count}
 *                apply    {upload_id, expected_count, upload_ts, correlation_id, last,
 *                          files: [{file_upload_id, original_file_name, raw_storage_id, outcome}]}
 *                report   {upload_id, file: {file_upload_id, original_file_name, raw_storage_id,
 *                          outcome}, channel, notice}
 *                lease    {upload_id, flow_exists, reason}
 *                timeout  {}
 *                outcome: {kind: content, text_storage_id, text_length, text_fingerprint}
 *                       | {kind: failure, error_code, message} | {kind: dead, message}
 *   3 retention  seconds every touched key lives after this change
 *   4 now_ms     the caller's clock, for completed_at_ms
 * Returns {detail, created_at_ms, outbox, revived, dead}:
 *   detail   what happened, e.g. 'announced', 'applied:<ready>,<failed>,<excess>,<already>',
 *            'pending', 'late:ready', 'held' (a lease whose flow exists), 'abandoned',
 *            'deferred', 'noop', 'not_registered', with ';ready' or ';timed_out' appended when
 *            this step completed the batch
 *   outbox   every entry now waiting in the outbox: this step's and any an earlier step left
 *            unpublished (the caller publishes them without another round trip)
 *   revived  essay ids this step gave to files whose job had died (their index is extended)
 *   dead     (apply) the files of the chunk whose outcome is PROCESSING_FAILED after the step:
 *            their jobs' deaths are recorded in the DLQ
 */
export const transitionLua = `
local meta, freeSlots, allSlots, essays, files, uploads, outbox, contents =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local op, p, retention, now_ms = ARGV[1], cjson.decode(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local batch_id = p.batch_id

-- a child's report, the one step per file, reads the batch only when it is late (below)
local registered, status, c = false, '', {}
local COUNTERS = {'expected_count', 'received_count_from_uploads', 'ready_count', 'failed_count',
  'excess_count', 'open_uploads'}
local function load_batch()
  local m = redis.call('HMGET', meta, 'batch_id', 'status', 'deadline_passed', unpack(COUNTERS))
  registered = m[1] ~= false
  if not registered then return end
  status = m[2]
  c.deadline_passed = m[3] == '1'
  for i, name in ipairs(COUNTERS) do c[name] = tonumber(m[i + 3]) or 0 end
end
if op ~= 'report' then load_batch() end
local touched = false
local detail = 'noop'
local revived, dead = {}, {}
local files_set, essays_set = {}, {}
local holders, holders_set = {}, {}

-- a step's events go to the outbox in one command, in the order they were emitted; data is a
-- JSON string built here, because cjson encodes an empty array as {}
local emitted = {}
local function emit(event_type, subject, phase, outcome, data)
  emitted[#emitted + 1] = '{"event_type":' .. cjson.encode(event_type) ..
    ',"subject_id":' .. cjson.encode(subject) .. ',"phase":' .. cjson.encode(phase) ..
    ',"outcome":' .. cjson.encode(outcome) .. ',"data":' .. data .. '}'
end

local function ready_essay(e)
  return cjson.encode({essay_id = e.essay_id, file_upload_id = e.file_upload_id,
    text_storage_id = e.text_storage_id, original_file_name = e.original_file_name})
end

-- unpack() has a limit (LUAI_MAXCSTACK, ~8000): large lists go in slices
local SLICE = 1000

local function ready_list()
  local slots = redis.call('LRANGE', allSlots, 0, -1)
  local items = {}
  for from = 1, #slots, SLICE do
    local slice = {unpack(slots, from, math.min(from + SLICE - 1, #slots))}
    for _, v in ipairs(redis.call('HMGET', essays, unpack(slice))) do
      if v then items[#items + 1] = ready_essay(cjson.decode(v)) end
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

-- outcomes are written in one command per key, before anything reads them back
local function flush()
  if #files_set > 0 then redis.call('HSET', files, unpack(files_set)) end
  if #essays_set > 0 then redis.call('HSET', essays, unpack(essays_set)) end
  if #holders_set > 0 then redis.call('HSET', contents, unpack(holders_set)) end
  files_set, essays_set, holders_set = {}, {}, {}
end

local function set_file(fid, record)
  files_set[#files_set + 1] = fid
  files_set[#files_set + 1] = cjson.encode(record)
end

local function record_failure(f, upload_id, code, message, outcome)
  local raw = f.raw_storage_id or cjson.null
  set_file(f.file_upload_id, {kind = 'failed', file_upload_id = f.file_upload_id,
    upload_id = upload_id, original_file_name = f.original_file_name, raw_storage_id = raw,
    error_code = code, message = message})
  emit('EssayValidationFailedV1', f.file_upload_id, 'extraction', outcome, cjson.encode({
    batch_id = batch_id, upload_id = upload_id, file_upload_id = f.file_upload_id,
    original_file_name = f.original_file_name, raw_storage_id = raw, error_code = code,
    message = message}))
end

-- what the batch's essays hold ('raw:<id>', 'text:<fingerprint>' -> their file): read once
-- for a step's files, then kept here as the step takes slots
local function read_holders(list)
  local keys = {}
  for _, f in ipairs(list) do
    -- a part the API refused has no bytes (JSON null, which Lua holds as a true value)
    if type(f.raw_storage_id) == 'string' then keys[#keys + 1] = 'raw:' .. f.raw_storage_id end
    if f.outcome and f.outcome.text_fingerprint then
      keys[#keys + 1] = 'text:' .. f.outcome.text_fingerprint
    end
  end
  if #keys == 0 then return end
  local found = redis.call('HMGET', contents, unpack(keys))
  for i, key in ipairs(keys) do
    if found[i] then holders[key] = cjson.decode(found[i]) end
  end
end

-- an essay that already holds these bytes or this text (whitespace and case aside), if any
local function duplicate_of(f, o)
  for _, key in ipairs({'raw:' .. f.raw_storage_id,
      o.text_fingerprint and 'text:' .. o.text_fingerprint or nil}) do
    local d = holders[key]
    if d and d.file_upload_id ~= f.file_upload_id then return d end
  end
  return nil
end

local function hold(key, ref)
  holders[key] = ref
  holders_set[#holders_set + 1] = key
  holders_set[#holders_set + 1] = cjson.encode(ref)
end

-- content takes a free slot, or is excess with its reason; returns the essay id it took
local function place_content(f, upload_id, o, revival)
  emit('EssayContentProvisionedV1', f.file_upload_id, 'extraction', 'provisioned', cjson.encode({
    batch_id = batch_id, upload_id = upload_id, file_upload_id = f.file_upload_id,
    original_file_name = f.original_file_name, raw_storage_id = f.raw_storage_id,
    text_storage_id = o.text_storage_id, text_length = o.text_length}))
  local reason, duplicate
  if not registered then
    reason = 'BATCH_NOT_REGISTERED'
  elseif status ~= 'awaiting_content' and not revival then
    reason = 'BATCH_ALREADY_COMPLETED'
  else
    duplicate = duplicate_of(f, o)
    local essay_id = not duplicate and redis.call('LPOP', freeSlots)
    if essay_id then
      local e = {essay_id = essay_id, file_upload_id = f.file_upload_id,
        original_file_name = f.original_file_name, raw_storage_id = f.raw_storage_id,
        text_storage_id = o.text_storage_id, status = 'ready'}
      essays_set[#essays_set + 1] = essay_id
      essays_set[#essays_set + 1] = cjson.encode(e)
      set_file(f.file_upload_id, {kind = 'ready', essay_id = essay_id,
        file_upload_id = f.file_upload_id, upload_id = upload_id,
        original_file_name = f.original_file_name})
      local ref = {file_upload_id = f.file_upload_id, original_file_name = f.original_file_name}
      hold('raw:' .. f.raw_storage_id, ref)
      if o.text_fingerprint then hold('text:' .. o.text_fingerprint, ref) end
      c.ready_count = c.ready_count + 1
      return essay_id, e
    end
    reason = duplicate and 'DUPLICATE_CONTENT' or 'NO_AVAILABLE_SLOT'
  end
  set_file(f.file_upload_id, {kind = 'excess', file_upload_id = f.file_upload_id,
    upload_id = upload_id, original_file_name = f.original_file_name,
    raw_storage_id = f.raw_storage_id, text_storage_id = o.text_storage_id, reason = reason,
    duplicate_of = duplicate})
  if registered then c.excess_count = c.excess_count + 1 end
  emit('ExcessContentProvisionedV1', f.file_upload_id, 'lifecycle', 'excess', cjson.encode({
    batch_id = batch_id, file_upload_id = f.file_upload_id,
    original_file_name = f.original_file_name, text_storage_id = o.text_storage_id,
    reason = reason, duplicate_of = duplicate}))
  return nil
end

-- one file's outcome; a file that has one keeps it, unless its job had died (PROCESSING_FAILED)
-- and now brings a real outcome: a retry from the board replaces the dead letter's outcome
local function apply_outcome(f, upload_id, o, prior)
  local revival = false
  if prior then
    if not registered or prior.kind ~= 'failed' or prior.error_code ~= 'PROCESSING_FAILED'
      or o.kind == 'dead' then
      return 'already'
    end
    revival = true
    c.failed_count = c.failed_count - 1
  end
  if o.kind == 'content' then
    local essay_id, e = place_content(f, upload_id, o, revival)
    if revival and essay_id then
      revived[#revived + 1] = essay_id
      -- a completed batch has moved on: its phases must hear of the new essay
      if status ~= 'awaiting_content' then
        emit('BatchEssayRevivedV1', essay_id, 'lifecycle', 'revived', '{"batch_id":' ..
          cjson.encode(batch_id) .. ',"essay":' .. ready_essay(e) .. '}')
      end
    end
    return essay_id and 'ready' or 'excess'
  end
  if registered then c.failed_count = c.failed_count + 1 end
  if o.kind == 'failure' then
    record_failure(f, upload_id, o.error_code, o.message, 'failed')
  else
    record_failure(f, upload_id, 'PROCESSING_FAILED', o.message, 'dead_lettered')
  end
  return 'failed'
end

-- the batch completes when every announced upload is applied (or abandoned) and its files fill
-- the expected count (failures count: ready means accounted for); past its deadline it times
-- out with what it has instead, but never while an upload that may fill it is still open
local function settle()
  if not registered or status ~= 'awaiting_content' or c.open_uploads > 0 then return end
  flush()
  local accounted = c.ready_count + c.failed_count
  if accounted >= c.expected_count then
    status = 'ready'
    emit('BatchEssaysReadyV1', batch_id, 'readiness', 'ready', '{"batch_id":' ..
      cjson.encode(batch_id) .. ',"ready_essays":' .. ready_list() .. ',"validation_failures":' ..
      failure_list() .. ',"total_files_processed":' ..
      (c.ready_count + c.failed_count + c.excess_count) .. '}')
  elseif c.deadline_passed then
    status = 'timed_out'
    emit('BatchReadinessTimedOutV1', batch_id, 'readiness', 'timed_out', '{"batch_id":' ..
      cjson.encode(batch_id) .. ',"missing_n":' .. (c.expected_count - accounted) ..
      ',"expected_count":' .. c.expected_count .. ',"actual_count":' .. accounted ..
      ',"ready_essays":' .. ready_list() .. ',"validation_failures":' .. failure_list() .. '}')
  else
    return
  end
  redis.call('HSET', meta, 'status', status, 'completed_at_ms', now_ms)
  detail = detail .. ';' .. status
end

local function get_upload(upload_id)
  local raw = redis.call('HGET', uploads, upload_id)
  return raw and cjson.decode(raw) or nil
end

if op == 'announce' then
  touched = true
  if not registered then
    detail = 'not_registered'
  elseif get_upload(p.upload_id) then
    detail = 'already'
  else
    redis.call('HSET', uploads, p.upload_id, cjson.encode({expected = p.expected_count,
      state = 'open'}))
    c.open_uploads = c.open_uploads + 1
    detail = 'announced'
  end
elseif op == 'apply' then
  touched = true
  local fids = {}
  for i, f in ipairs(p.files) do fids[i] = f.file_upload_id end
  if #fids > 0 then
    local priors = redis.call('HMGET', files, unpack(fids))
    read_holders(p.files)
    local counts = {ready = 0, failed = 0, excess = 0, already = 0}
    for i, f in ipairs(p.files) do
      local o = f.outcome
      local prior = priors[i] and cjson.decode(priors[i]) or nil
      local got = apply_outcome(f, p.upload_id, o, prior)
      counts[got] = counts[got] + 1
      -- the files whose outcome is now PROCESSING_FAILED: their deaths go to the DLQ
      if (got == 'failed' and o.kind == 'dead') or (got == 'already' and prior.kind == 'failed'
        and prior.error_code == 'PROCESSING_FAILED') then
        dead[#dead + 1] = f.file_upload_id
      end
    end
    detail = 'applied:' .. counts.ready .. ',' .. counts.failed .. ',' .. counts.excess ..
      ',' .. counts.already
  else
    detail = 'applied:0,0,0,0'
  end
  if p.last and registered then
    local u = get_upload(p.upload_id)
    if not (u and u.state == 'applied') then
      -- an upload whose lease ran out before its flow came still counts when it comes
      if u and u.state == 'open' then c.open_uploads = c.open_uploads - 1 end
      redis.call('HSET', uploads, p.upload_id, cjson.encode({expected = p.expected_count,
        state = 'applied'}))
      c.received_count_from_uploads = c.received_count_from_uploads + p.expected_count
      emit('EssayUploadFinishedV1', p.upload_id, 'upload', 'finished', cjson.encode({
        event = 'essay.upload.finished', batch_id = batch_id, upload_id = p.upload_id,
        expected_count = p.expected_count, upload_ts = p.upload_ts,
        correlation_id = p.correlation_id}))
    end
    -- readiness is decided once the whole upload is in: not between two chunks of it
    settle()
  end
elseif op == 'report' then
  redis.call('PUBLISH', p.channel, p.notice)
  local u = get_upload(p.upload_id)
  local prior = redis.call('HGET', files, p.file.file_upload_id)
  if prior or (u and u.state == 'applied') then
    -- a late child: its job had died and was retried after its outcome was applied (with its
    -- upload, or with an earlier chunk of it); a child reporting before that is its parent's
    load_batch()
    touched = true
    read_holders({p.file})
    detail = 'late:' .. apply_outcome(p.file, p.upload_id, p.file.outcome,
      prior and cjson.decode(prior) or nil)
    settle()
  else
    detail = 'pending'
  end
elseif op == 'lease' then
  local u = get_upload(p.upload_id)
  if not registered then
    detail = 'not_registered'
  elseif u and u.state == 'open' and p.flow_exists then
    -- its flow is there: the parent will apply it; the lease is renewed, so a flow that goes
    -- away (removed on the board) still ends the hold
    detail = 'held'
  elseif u and u.state == 'open' then
    touched = true
    u.state = 'abandoned'
    redis.call('HSET', uploads, p.upload_id, cjson.encode(u))
    c.open_uploads = c.open_uploads - 1
    emit('EssayUploadAbandonedV1', p.upload_id, 'upload', 'abandoned', cjson.encode({
      batch_id = batch_id, upload_id = p.upload_id, expected_count = u.expected,
      reason = p.reason}))
    detail = 'abandoned'
    settle()
  end
elseif op == 'timeout' then
  if not registered then
    detail = 'not_registered'
  elseif status == 'awaiting_content' then
    touched = true
    c.deadline_passed = true
    redis.call('HSET', meta, 'deadline_passed', 1)
    detail = c.open_uploads > 0 and 'deferred' or 'deadline'
    settle()
  end
else
  return redis.error_reply('unknown op ' .. tostring(op))
end

flush()
if #emitted > 0 then
  for from = 1, #emitted, SLICE do
    redis.call('RPUSH', outbox, unpack(emitted, from, math.min(from + SLICE - 1, #emitted)))
  end
end
if touched and registered then
  local counters = {}
  for _, name in ipairs(COUNTERS) do
    counters[#counters + 1] = name
    counters[#counters + 1] = c[name]
  end
  redis.call('HSET', meta, unpack(counters))
end
if touched then
  -- every key lives at least the retention after the last change, and never less than the
  -- batch itself (meta keeps registration's retention + readiness timeout)
  local target = math.max(retention, redis.call('TTL', meta))
  for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], target) end
end
-- the whole outbox, so the caller publishes what an earlier step left too; a child's pending
-- report changes nothing and answers none (its parent's step will)
return {detail, registered and redis.call('HGET', meta, 'created_at_ms') or '',
  (touched or op == 'lease') and redis.call('LRANGE', outbox, 0, -1) or {}, revived, dead}
`;
