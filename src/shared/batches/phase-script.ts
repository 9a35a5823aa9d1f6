/**
 * phase: tracks one processing phase (spellcheck) of a batch, atomically with the dedupe mark
 * and the outcome event it causes (written to the batch's outbox, like transition).
 *
 * KEYS (all share the batch's hash tag):
 *   1 phase      hash: status (running | completed), outcome, expected, succeeded, failed,
 *                completions (how many times it completed)
 *   2 results    hash essay_id -> JSON result {status, corrections_made, corrected_text_storage_id, ...}
 *   3 members    set of the essay ids in the phase
 *   4 processed  set of event ids the orchestrator has applied
 *   5 outbox     list of JSON {event_type, subject_id, phase, outcome, data}
 * ARGV:
 *   1 event_id   2 op: include | result   3 payload JSON   4 retention seconds
 *   include: {batch_id, phase, essay_ids: [...]}   result: {batch_id, phase, essay_id, result: {...}}
 * `include` starts the phase, or adds essays to it: the ready batch's essays, or later one whose
 * file's job had died and was retried (a completed phase then runs again until that essay has
 * its result, and completes once more, with an outcome id of its own: `<OUTCOME>#<n>`).
 * A result is kept once per essay, except that a completed check replaces a failed one (a dead
 * check retried from the board).
 * Returns {result, pending}: result 'duplicate' | 'started' | 'added' | 'recorded' | 'completed'
 *   | 'noop'; pending, for include: the given essay ids that have no result yet (commands to
 *   (re)send).
 */
export const phaseLua = `
local phaseKey, results, members, processed, outbox = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local eid, op, p, retention = ARGV[1], ARGV[2], cjson.decode(ARGV[3]), tonumber(ARGV[4])

local function touch()
  for i = 1, #KEYS do
    if redis.call('TTL', KEYS[i]) < retention then redis.call('EXPIRE', KEYS[i], retention) end
  end
end

local function pending(ids)
  local out = {}
  for from = 1, #ids, 1000 do
    local slice = {unpack(ids, from, math.min(from + 999, #ids))}
    for i, found in ipairs(redis.call('HMGET', results, unpack(slice))) do
      if not found then out[#out + 1] = slice[i] end
    end
  end
  return out
end

local function complete_if_done()
  local m = redis.call('HMGET', phaseKey, 'status', 'expected', 'succeeded', 'failed')
  if m[1] ~= 'running' then return false end
  local expected, ok, bad = tonumber(m[2]), tonumber(m[3]), tonumber(m[4])
  if ok + bad < expected then return false end
  local outcome = 'COMPLETED_SUCCESSFULLY'
  if ok == 0 then outcome = 'FAILED_CRITICALLY' elseif bad > 0 then outcome = 'COMPLETED_WITH_FAILURES' end
  local n = redis.call('HINCRBY', phaseKey, 'completions', 1)
  redis.call('HSET', phaseKey, 'status', 'completed', 'outcome', outcome)
  redis.call('RPUSH', outbox, '{"event_type":"BatchPhaseCompletedV1","subject_id":' .. cjson.encode(p.batch_id) ..
    ',"phase":' .. cjson.encode(p.phase) .. ',"outcome":' .. cjson.encode(n == 1 and outcome or outcome .. '#' .. n) ..
    ',"data":' .. cjson.encode({batch_id = p.batch_id, phase = p.phase, outcome = outcome,
      essays_total = expected, essays_succeeded = ok, essays_failed = bad}) .. '}')
  return true
end

if redis.call('SISMEMBER', processed, eid) == 1 then
  if op == 'include' and redis.call('HGET', phaseKey, 'status') == 'running' then
    return {'duplicate', pending(p.essay_ids)}
  end
  return {'duplicate', {}}
end
redis.call('SADD', processed, eid)

local result, out = 'noop', {}
if op == 'include' then
  local started = redis.call('EXISTS', phaseKey) == 0
  local added = 0
  for _, id in ipairs(p.essay_ids) do added = added + redis.call('SADD', members, id) end
  if started or added > 0 then
    redis.call('HSET', phaseKey, 'status', 'running', 'expected', redis.call('SCARD', members))
    if started then redis.call('HSET', phaseKey, 'succeeded', 0, 'failed', 0, 'completions', 0) end
    result = started and 'started' or 'added'
    out = pending(p.essay_ids)
    if complete_if_done() then result = 'completed' end
  end
elseif op == 'result' then
  local prior = redis.call('HGET', results, p.essay_id)
  if not prior then
    redis.call('HSET', results, p.essay_id, cjson.encode(p.result))
    redis.call('HINCRBY', phaseKey, p.result.status == 'completed' and 'succeeded' or 'failed', 1)
    result = complete_if_done() and 'completed' or 'recorded'
  elseif p.result.status == 'completed' and cjson.decode(prior).status == 'failed' then
    -- a dead check retried from the board: its result replaces the failure, and a completed
    -- phase completes again with the new counts
    redis.call('HSET', results, p.essay_id, cjson.encode(p.result))
    redis.call('HINCRBY', phaseKey, 'failed', -1)
    redis.call('HINCRBY', phaseKey, 'succeeded', 1)
    redis.call('HSET', phaseKey, 'status', 'running')
    result = complete_if_done() and 'completed' or 'recorded'
  end
else
  return redis.error_reply('unknown op ' .. tostring(op))
end
touch()
return {result, out}
`;
