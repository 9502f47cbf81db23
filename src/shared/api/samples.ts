// Sampling requests and events: generate from any checkpoint, stream tokens, keep and browse samples (issue 7).
export const sampleRequests = {};
export const sampleEvents = {};
