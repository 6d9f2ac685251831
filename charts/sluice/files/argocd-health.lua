-- Argo CD health check for sluice.dev/v1alpha1 LogPipeline, ClusterLogPipeline, LogOutput and
-- ClusterLogOutput. Healthy: Ready=True for the current generation. Progressing: the operator has
-- not processed the current generation yet, or the agents are still rolling it out. Suspended: the
-- resource is paused. Degraded otherwise, with the failing condition's reason and message.
local hs = {}
local generation = obj.metadata and obj.metadata.generation
local status = obj.status

if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sluice operator to report status"
  return hs
end

local function current(observed)
  return observed == nil or generation == nil or observed >= generation
end

if not current(status.observedGeneration) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sluice operator to process generation " .. tostring(generation)
  return hs
end

local byType = {}
for _, c in ipairs(status.conditions) do
  if c.type ~= nil then
    byType[c.type] = c
  end
end

local ready = byType["Ready"]
if ready == nil or not current(ready.observedGeneration) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Sluice operator to report Ready for generation " .. tostring(generation)
  return hs
end

if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or "Ready"
  return hs
end

-- Not ready: report the first sub-condition that is not True (its reason is the specific one),
-- else the Ready condition itself.
local cause = ready
for _, t in ipairs({ "Accepted", "AgentsReady", "Delivering" }) do
  local c = byType[t]
  if c ~= nil and c.status ~= "True" then
    cause = c
    break
  end
end

local progressing = { RolloutInProgress = true, NoRecordsYet = true }
local reason = cause.reason or "Unknown"
local text = reason .. ": " .. (cause.message or "")

if reason == "Paused" then
  hs.status = "Suspended"
elseif progressing[reason] or cause.status == "Unknown" then
  hs.status = "Progressing"
else
  hs.status = "Degraded"
end
hs.message = text
return hs
