#!/bin/sh
# Stands in for Prisma's native schema engine, which cannot be downloaded on our machines. generate,
# validate and format need only a path here; anything that would really use the engine fails loudly
# (an engine that exits 0 would make `migrate`/`db` commands print nothing and "succeed").
echo "prisma: the native schema engine is not available offline; app_data DDL is applied by 'pnpm db:migrate' (packages/db/src/migrations.ts)" >&2
exit 1
