// Text made safe inside HTML and its attributes: the one escaper every page rowsim writes uses.

/** Text escaped for HTML (element content and quoted attributes). */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
