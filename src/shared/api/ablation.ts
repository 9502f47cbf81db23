// Ablation requests: review a candidate config against its baseline, launch sweeps, compare runs and groups (issue 8).
export const ablationRequests = {};
export const ablationEvents = {};
