// Action ids and the values buttons carry. A value names what the press is
// about (project, variant, approval …); who pressed comes from the platform.

export const actionIds = {
  review: (decision: 'approve' | 'reject' | 'regenerate' | 'select') => `gl.review.${decision}`,
  tag: 'gl.review.tag',
  /** The grid header's "Approve asset": the lead is done choosing among its variants. */
  assetApprove: 'gl.asset.approve',
  approval: (decision: 'approve' | 'deny') => `gl.approval.${decision}`,
  haltOpen: 'gl.halt.open',
  resume: 'gl.halt.resume',
  ruleEnable: 'gl.rule.enable',
  ruleRun: 'gl.rule.run',
  openReview: 'gl.review.open',
  /** The link button in the ephemeral answer to an openReview press. */
  openReviewLink: 'gl.review.link',
  /** "Generate" on a spec of a `/spec add` preview: ask for its variants. */
  specGenerate: 'gl.spec.generate',
} as const;

/** The halt dialog's callback id. */
export const haltDialogId = 'gl.halt.submit';

export const reviewActionPattern = /^gl\.review\.(approve|reject|regenerate|select)$/;
export const approvalActionPattern = /^gl\.approval\.(approve|deny)$/;

/** `a|b|c` values: ids never contain '|'. */
export const packValue = (...parts: string[]): string => parts.join('|');
export function unpackValue(value: unknown, count: number): string[] | null {
  if (typeof value !== 'string') return null;
  const parts = value.split('|');
  return parts.length === count && parts.every((p) => p.length > 0) ? parts : null;
}
