/**
 * Scheduling policy {@code example}: the template for a third-party policy bundle. It depends on
 * {@code org.sparoa.api} only; see this module's README.md.
 */
package org.sparoa.policy.example;
