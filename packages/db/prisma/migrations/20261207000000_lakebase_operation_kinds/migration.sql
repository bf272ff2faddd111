-- Lakebase Autoscaling's admin actions (branches, endpoints, data attached to a branch) run under the same
-- lease as create, delete, stop and start (one operation at a time per project): their kinds join the check.
ALTER TABLE "app_data"."lakebase_operation" DROP CONSTRAINT "lakebase_operation_kind_check";
ALTER TABLE "app_data"."lakebase_operation" ADD CONSTRAINT "lakebase_operation_kind_check" CHECK ("kind" IN (
    'create', 'delete', 'stop', 'start',
    'branch.create', 'branch.delete', 'endpoint.create', 'endpoint.update', 'endpoint.delete', 'data.attach'
));
