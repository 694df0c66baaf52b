/**
 * The namespace a user's own files live in: their root, whose id is the user's id. Every
 * place that needs "the caller's namespace" asks this function, so shared folders (other
 * namespaces a user may reach) change one rule, not five call sites.
 */
export function rootNamespaceOf(userId: string): string {
  return userId;
}
