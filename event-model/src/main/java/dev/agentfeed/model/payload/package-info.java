/**
 * The typed view of each event type's {@code data}. Fields not named here are kept in the
 * envelope's raw {@code data} and travel on; these records only say what must be there and of which
 * shape. Constraint messages become {@code data.<field>: <message>} in ingest answers.
 */
package dev.agentfeed.model.payload;
