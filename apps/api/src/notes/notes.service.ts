import { Injectable, NotFoundException } from "@nestjs/common";
import { DatabaseService } from "../database/database.service.js";
import type { CreateNoteDto } from "./dto/create-note.dto.js";
import { encodeCursor, type ListNotesDto } from "./dto/list-notes.dto.js";
import type { NoteDto, NotesPageDto } from "./dto/note.dto.js";
import type { UpdateNoteDto } from "./dto/update-note.dto.js";
import { NotesCache } from "./notes.cache.js";

interface NoteRow {
  id: string;
  seq: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

const columns = "id, seq, title, body, created_at, updated_at";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toDto(row: NoteRow): NoteDto {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

@Injectable()
export class NotesService {
  constructor(
    private readonly database: DatabaseService,
    private readonly cache: NotesCache,
  ) {}

  /**
   * A first page comes from Redis while it was cached at the current list version (one small
   * query on PostgreSQL, beside the Redis read); pages after a cursor always come from PostgreSQL.
   */
  async list({ limit, cursor }: ListNotesDto): Promise<NotesPageDto> {
    if (cursor !== undefined) return this.readPage(limit, cursor);
    const [[{ version }], cached] = await Promise.all([
      this.database.query<{ version: string }>("SELECT version FROM notes_list_version", []),
      this.cache.lookup(limit),
    ]);
    if (cached?.version === version) return cached.page;
    const page = await this.readPage(limit, undefined);
    this.cache.store(limit, version, page);
    return page;
  }

  private async readPage(limit: number, cursor: string | undefined): Promise<NotesPageDto> {
    // One row more than asked tells whether there is a next page.
    const rows = await this.database.query<NoteRow>(
      `SELECT ${columns} FROM notes WHERE ($2::bigint IS NULL OR seq < $2::bigint) ORDER BY seq DESC LIMIT $1`,
      [limit + 1, cursor ?? null],
    );
    const items = rows.slice(0, limit);
    return {
      items: items.map(toDto),
      nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].seq) : null,
    };
  }

  async get(id: string): Promise<NoteDto> {
    const [row] = uuidPattern.test(id) ? await this.database.query<NoteRow>(`SELECT ${columns} FROM notes WHERE id = $1`, [id]) : [];
    if (!row) throw this.notFound(id);
    return toDto(row);
  }

  async create(dto: CreateNoteDto): Promise<NoteDto> {
    const [row] = await this.database.query<NoteRow>(`INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING ${columns}`, [dto.title, dto.body]);
    return toDto(row);
  }

  /**
   * updatedAt never moves backwards: now() is when the statement started, so an update that
   * waited for a row lock would stamp an earlier time than the update that held it; and a
   * failover to a writer whose clock is behind would too. The row's own value is the floor.
   */
  async update(id: string, dto: UpdateNoteDto): Promise<NoteDto> {
    const [row] = uuidPattern.test(id)
      ? await this.database.query<NoteRow>(
          `UPDATE notes SET title = COALESCE($2, title), body = COALESCE($3, body), updated_at = GREATEST(clock_timestamp(), updated_at)
           WHERE id = $1 RETURNING ${columns}`,
          [id, dto.title ?? null, dto.body ?? null],
        )
      : [];
    if (!row) throw this.notFound(id);
    return toDto(row);
  }

  async remove(id: string): Promise<void> {
    const rows = uuidPattern.test(id) ? await this.database.query<{ id: string }>("DELETE FROM notes WHERE id = $1 RETURNING id", [id]) : [];
    if (rows.length === 0) throw this.notFound(id);
  }

  private notFound(id: string): NotFoundException {
    return new NotFoundException(`note ${JSON.stringify(id.slice(0, 64))} does not exist`);
  }
}
