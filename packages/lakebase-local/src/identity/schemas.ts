import { z } from "zod";

/** PATCH/PUT `/permissions/database-instances/{name}`: levels and principals are checked by Permissions. */
export const aclRequestSchema = z.looseObject({
  access_control_list: z
    .array(
      z.looseObject({
        user_name: z.string().min(1).optional(),
        group_name: z.string().min(1).optional(),
        service_principal_name: z.string().min(1).optional(),
        permission_level: z.string().optional(),
      }),
    )
    .optional(),
});
export type AclRequest = z.infer<typeof aclRequestSchema>;

/** `POST /__local/users` (test hook): a workspace user with a personal access token. */
export const userRequestSchema = z.object({
  email: z.email("email must be an email address"),
  admin: z.boolean().optional(),
});
