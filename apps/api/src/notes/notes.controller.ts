import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from "@nestjs/common";
import { ZodValidationPipe } from "../common/zod-validation.pipe.js";
import { WriteThrottlerGuard } from "../common/write-throttler.guard.js";
import { createNoteSchema, type CreateNoteDto } from "./dto/create-note.dto.js";
import { listNotesSchema, type ListNotesDto } from "./dto/list-notes.dto.js";
import type { NoteDto, NotesPageDto } from "./dto/note.dto.js";
import { updateNoteSchema, type UpdateNoteDto } from "./dto/update-note.dto.js";
import { NotesService } from "./notes.service.js";

@Controller("notes")
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  list(@Query(new ZodValidationPipe(listNotesSchema, "query")) query: ListNotesDto): Promise<NotesPageDto> {
    return this.notes.list(query);
  }

  @Get(":id")
  get(@Param("id") id: string): Promise<NoteDto> {
    return this.notes.get(id);
  }

  @Post()
  @UseGuards(WriteThrottlerGuard)
  create(@Body(new ZodValidationPipe(createNoteSchema, "body")) dto: CreateNoteDto): Promise<NoteDto> {
    return this.notes.create(dto);
  }

  @Patch(":id")
  @UseGuards(WriteThrottlerGuard)
  update(@Param("id") id: string, @Body(new ZodValidationPipe(updateNoteSchema, "body")) dto: UpdateNoteDto): Promise<NoteDto> {
    return this.notes.update(id, dto);
  }

  @Delete(":id")
  @HttpCode(204)
  @UseGuards(WriteThrottlerGuard)
  remove(@Param("id") id: string): Promise<void> {
    return this.notes.remove(id);
  }
}
