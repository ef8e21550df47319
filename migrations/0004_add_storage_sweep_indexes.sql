CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "attachments_blob_key_idx" ON "attachments" USING btree ("blob_key");