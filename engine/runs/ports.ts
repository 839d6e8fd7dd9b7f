// Ports the engine's runs call out through; bots and tests implement them.

/** Posts a chat message for a project (the Slack / Discord bots implement this). */
export interface ChatNotifier {
  notify(message: { projectId: string; channel: 'review' | 'admin'; text: string; runId?: string }): Promise<void>;
}

/** Until a bot is connected, notifications go to the log. */
export function logNotifier(log: (msg: string, data: Record<string, unknown>) => void): ChatNotifier {
  return {
    async notify(m) {
      log('notify (no chat connected)', m);
    },
  };
}
