ALTER TYPE "public"."delivery_status" ADD VALUE 'undelivered' BEFORE 'failed';--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "phone_number" text;