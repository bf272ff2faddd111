export type PermissionLevel = "CAN_USE" | "CAN_MANAGE";

/** One direct grant on an instance or a project, as the permissions API names its principal. */
export interface AclEntry {
  principal: { kind: "user" | "service_principal" | "group"; name: string };
  level: PermissionLevel;
}
