/**
 * Tags every BBWS resource carries. Provider default tags add `bbws:environment` and
 * `bbws:managed-by`; components add `bbws:component` (and tenants `bbws:tenant-id`) explicitly,
 * because one provider serves many components.
 */

/** A tag map. */
export type Tags = Readonly<Record<string, string>>;

/** Tag keys, in one place so policies and ops agree with the components. */
export const TAG = {
  environment: "bbws:environment",
  component: "bbws:component",
  managedBy: "bbws:managed-by",
  tenantId: "bbws:tenant-id",
} as const;

/** Tags the AWS provider of a stack applies to every resource it creates. */
export function providerDefaultTags(environment: string, tenantId?: string): Tags {
  return {
    [TAG.environment]: environment,
    [TAG.managedBy]: "pulumi",
    ...(tenantId ? { [TAG.tenantId]: tenantId } : {}),
  };
}

/** The explicit tags of one resource: the component's base tags plus what the resource is. */
export function withComponent(base: Tags, component: string, extra: Tags = {}): Tags {
  return { ...base, [TAG.component]: component, ...extra };
}
