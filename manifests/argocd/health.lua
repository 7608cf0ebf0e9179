-- Argo CD health check for the kdr.io kinds (KafkaCluster, ReplicationFlow,
-- TopicPolicy, AccessPolicy), from kdr's kstatus conditions. Install it in
-- argocd-cm as resource.customizations.health.kdr.io_<Kind> (see README.md).
local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "waiting for kdr to report"
  return hs
end
if obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "kdr has not seen generation " .. obj.metadata.generation .. " yet"
  return hs
end
local ready = nil
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Stalled" and c.status == "True" then
    hs.status = "Degraded"
    hs.message = (c.reason or "") .. ": " .. (c.message or "")
    return hs
  end
  if c.type == "Ready" then
    ready = c
  end
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
  return hs
end
if ready ~= nil and (ready.reason == "Paused" or ready.reason == "DryRun") then
  hs.status = "Suspended"
  hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
  return hs
end
hs.status = "Progressing"
hs.message = ready ~= nil and ((ready.reason or "") .. ": " .. (ready.message or "")) or "waiting for kdr"
return hs
